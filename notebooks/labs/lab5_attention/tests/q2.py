OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]\n'
                                               '>>> assert padding_mask(torch.tensor([[1, 1, 0]])).shape == (1, 1, 1, 3)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
