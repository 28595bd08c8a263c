OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ = torch.manual_seed(1)\n'
                                               '>>> lstm = nn.LSTM(3, 2, batch_first=True)\n'
                                               '>>> xs = torch.randn(2, 5, 3)\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     want_out, (want_h, want_c) = lstm(xs)\n'
                                               '...     got_out, (got_h, got_c) = lstm_forward(xs, lstm)\n'
                                               '>>> assert got_out.shape == (2, 5, 2) and got_h.shape == (1, 2, 2)\n'
                                               '>>> assert torch.allclose(got_out, want_out, atol=1e-06) and torch.allclose(got_c, want_c, atol=1e-06)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
