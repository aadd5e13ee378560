# recipes/: shipped recipes (examples per op, regression scenarios).
