OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> assert abs(resnik('HP:0007359', 'HP:0002121', ic) - ic['HP:0001250']) < 1e-12\n"
                                               ">>> assert resnik('HP:0001250', 'HP:0001250', ic) == ic['HP:0001250']\n"
                                               ">>> assert abs(patient_score(['HP:0001250'], ['HP:0007359', 'HP:0001629'], ic) - ic['HP:0001250']) < 1e-12\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
