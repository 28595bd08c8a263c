OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ = torch.manual_seed(0)\n'
                                               '>>> w, cp, cn = (torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 2, 3))\n'
                                               '>>> loss = sgns_loss(w, cp, cn)\n'
                                               '>>> assert loss.dim() == 0 and loss.item() > 0\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
