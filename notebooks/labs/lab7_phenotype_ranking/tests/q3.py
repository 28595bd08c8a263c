OK_FORMAT = True

test = {   'name': 'q3',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': ">>> pool = ['OMIM:154700'] + list(hpo.rankable_diseases()[:60])\n"
                                               '>>> ranked = rank_genes(marfan_patient, pool, ic)\n'
                                               ">>> assert isinstance(ranked, list) and ranked[0] == 'FBN1' and (len(ranked) == len(set(ranked)))\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
