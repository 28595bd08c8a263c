OK_FORMAT = True

test = {   'name': 'q3',
    'points': 6,
    'suites': [   {   'cases': [   {   'code': '>>> guesses = predict(val_m.abbr[:8].tolist(), val_m.sentence[:8].tolist())\n'
                                               '>>> assert len(guesses) == 8 and set(guesses) <= set(LABELS)\n'
                                               ">>> assert FINE_TUNE_CPU_S <= BUDGET_CPU_S, f'fine-tuning used {FINE_TUNE_CPU_S:.0f} CPU-seconds, over the budget of {BUDGET_CPU_S}: fewer epochs or a "
                                               "shorter MAX_LENGTH'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
