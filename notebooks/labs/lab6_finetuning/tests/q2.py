OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> m = compute_metrics((np.array([[2.0, 0.1], [0.2, 1.0], [3.0, 0.0]]), np.array([0, 1, 1])))\n'
                                               ">>> assert set(m) == {'macro_f1', 'accuracy'} and abs(m['accuracy'] - 2 / 3) < 1e-09\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
