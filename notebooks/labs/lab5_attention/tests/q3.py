OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ = torch.manual_seed(3)\n'
                                               '>>> mha = nn.MultiheadAttention(8, 2, batch_first=True)\n'
                                               '>>> x = torch.randn(2, 5, 8)\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     assert torch.allclose(multi_head_attention(x, mha), mha(x, x, x, need_weights=False)[0], atol=1e-06)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
