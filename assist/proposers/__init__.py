"""The agents. Each writes proposals (assist/models.py) and changes nothing else: a person decides."""
