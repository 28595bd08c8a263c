OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> out = encode(train_ds[:4])\n'
                                               ">>> assert set(out) >= {'input_ids', 'attention_mask', 'labels'} and len(out['labels']) == 4\n"
                                               ">>> assert all((len(ids) <= MAX_LENGTH for ids in out['input_ids']))\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
