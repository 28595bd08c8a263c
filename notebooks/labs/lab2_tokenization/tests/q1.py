OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {'code': ">>> assert count_pairs(toy)['e', 's'] == 9\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert count_pairs(toy)['l', 'o'] == 7 and count_pairs({('a', 'b</w>'): 3}) == Counter({('a', 'b</w>'): 3})\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
