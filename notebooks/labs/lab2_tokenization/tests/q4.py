OK_FORMAT = True

test = {   'name': 'q4',
    'points': 5,
    'suites': [   {   'cases': [   {'code': ">>> assert bpe_encode('lowest', [('e', 's'), ('es', 't</w>'), ('l', 'o')]) == ['lo', 'w', 'est</w>']\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert bpe_encode('x', []) == ['x</w>']\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
