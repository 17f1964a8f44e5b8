from pilotage.demo.context import Scale

NO_PROBLEMS = ([], [], [], [], [])

# Every step, schooling included, on a few schools: what a test can afford to run twice.
TINY = Scale("tiny", communes=3, schools=6, provinces=("MA-TNG",), pupils=1200)
