OK_FORMAT = True

test = {   'name': 'q4',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': ">>> pv = phrase_vectors(['acute chest pain', 'zzzz'], vectors, vocab)\n"
                                               '>>> assert pv.shape == (2, 100) and np.allclose(pv[1], 0)\n'
                                               '>>> assert 0.1 < synonym_mrr(queries, answers) <= 1\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
