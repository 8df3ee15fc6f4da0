"""What a search is measured by: the words an event is found by, in any script (words.py), the
indexed words a typed word may mean (vocabulary.py, found by nearness.py in edits.py's
distance), and how well a query matches an event (scoring.py), the one measure the index and a
full scan share; compiled.py makes the loops machine code. Imports bot.model and below."""
