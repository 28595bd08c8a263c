OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> toy = {'d1': ['HP:0001250'], 'd2': ['HP:0007359'], 'd3': ['HP:0001629']}\n"
                                               '>>> ic = information_content(toy, hpo.ancestors)\n'
                                               ">>> assert abs(ic['HP:0001250'] - math.log(3 / 2)) < 1e-12 and abs(ic['HP:0007359'] - math.log(3)) < 1e-12\n"
                                               ">>> assert ic['HP:0000001'] == 0\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
