OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {'code': ">>> assert sorted(find_phones('Call (555) 123-4567 or 555.987.6543.')) == [(5, 19), (23, 35)]\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert find_phones('Metformin 500 mg twice daily; HbA1c 7.2%; MRN 12345678.') == []\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
