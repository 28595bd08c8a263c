OK_FORMAT = True

test = {   'name': 'q4',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _ = torch.manual_seed(4)\n'
                                               '>>> course = Block(TransformerConfig(n_embd=16, n_head=4, norm_first=True)).eval()\n'
                                               '>>> ours = PreLNBlock(16, 4)\n'
                                               '>>> _ = ours.load_state_dict(course.state_dict(), strict=False)\n'
                                               '>>> x = torch.randn(2, 6, 16)\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     assert torch.allclose(ours(x), course(x), atol=1e-05)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
