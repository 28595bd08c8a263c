OK_FORMAT = True

test = {   'name': 'q5',
    'points': 4,
    'suites': [   {   'cases': [   {'code': ">>> assert is_negated('Patient denies chest pain.', 'chest pain') is True\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert is_negated('Complains of chest pain since Monday.', 'chest pain') is False\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
