OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> near = nearest(vectors, vocab, 'aspirin', 5)\n"
                                               ">>> assert len(near) == 5 and 'aspirin' not in [w for w, _ in near]\n"
                                               ">>> assert [w for w, _ in near] == [w for w, _ in emb.nearest(vectors, vocab, 'aspirin', 5)]\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
