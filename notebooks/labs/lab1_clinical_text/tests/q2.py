OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {'code': ">>> assert find_dates('Admitted 03/14/2024, discharged March 18, 2024.') == [(9, 19), (32, 46)]\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert find_dates('Since 2019: pain 5/10, BP 142/88, aspirin 81 mg.') == []\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
