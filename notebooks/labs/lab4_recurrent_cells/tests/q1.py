OK_FORMAT = True

test = {   'name': 'q1',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> with torch.no_grad():\n'
                                               '...     want_h, want_c = reference(x, (h, c))\n'
                                               '...     got_h, got_c = lstm_cell(x, h, c, reference.weight_ih, reference.weight_hh, reference.bias_ih, reference.bias_hh)\n'
                                               '>>> assert torch.allclose(got_h, want_h, atol=1e-06) and torch.allclose(got_c, want_c, atol=1e-06)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
