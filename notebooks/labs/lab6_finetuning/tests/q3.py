OK_FORMAT = True

test = {   'name': 'q3',
    'points': 6,
    'suites': [   {   'cases': [{'code': ">>> labels = predict(val_ds['text'][:8])\n>>> assert len(labels) == 8 and set(labels) <= set(LABELS)\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
