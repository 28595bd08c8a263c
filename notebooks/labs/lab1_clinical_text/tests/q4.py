OK_FORMAT = True

test = {   'name': 'q4',
    'points': 3,
    'suites': [   {   'cases': [{'code': ">>> assert deidentify('Seen 03/14/2024, call 555-123-4567.') == 'Seen [DATE], call [PHONE].'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
