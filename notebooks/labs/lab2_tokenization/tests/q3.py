OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> assert learn_merges({'low': 5, 'lower': 2, 'newest': 6, 'widest': 3}, 3) == [('e', 's'), ('es', 't</w>'), ('l', 'o')]\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
