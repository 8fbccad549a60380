"""One screen per job: overview, map, person, group, place, panel, interventions, reports, help."""
