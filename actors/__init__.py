"""Ray actors: thin shells around plain openalpha objects (installed as ``openalpha.actors``)."""
