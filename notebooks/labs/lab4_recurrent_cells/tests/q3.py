OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ = torch.manual_seed(2)\n'
                                               '>>> lstm = nn.LSTM(3, 4, batch_first=True)\n'
                                               '>>> g = cell_state_gradient(lstm, torch.randn(1, 10, 3))\n'
                                               '>>> assert isinstance(g, float) and g > 0\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
