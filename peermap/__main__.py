from peermap.cli import main

main()
