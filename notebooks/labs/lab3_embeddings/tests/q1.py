OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> toy = np.array([[0, 4, 1], [4, 0, 2], [1, 2, 0]])\n'
                                               '>>> assert np.allclose(ppmi_dense(toy), emb.ppmi(toy).toarray())\n'
                                               '>>> assert ppmi_dense(toy)[0, 0] == 0\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
