OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> out, w = attention(q, k, v)\n'
                                               '>>> assert out.shape == (2, 3, 5, 4) and w.shape == (2, 3, 5, 6)\n'
                                               '>>> assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=1e-06)\n'
                                               '>>> assert torch.allclose(w.sum(-1), torch.ones(2, 3, 5))\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
