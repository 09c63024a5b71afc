// English strings of the Experiments panel (experiments.js). Keys `experiment.<name>.title` / `.claim` hold the
// engine's own words (src/experiments.rs, experiments()): keep them equal. Keys `experiments.*` are the panel's.
export default {
  // the presets, as the engine names them
  'experiment.omitted-class.title': 'Omitted class (Hinton §3)',
  'experiment.omitted-class.claim': 'A student that never saw a single 3 learns to recognise 3s from the teacher\'s soft labels on the other digits: raise its bias for 3 and it finds most of them, while the hard-label control cannot.',
  'experiment.small-transfer-set.title': 'Small transfer set (Hinton §6)',
  'experiment.small-transfer-set.claim': 'With only 10% of the training data to learn from, the distilled student generalises better than its hard-label twin, given enough epochs: at 40 epochs it is still behind, because soft targets at a high temperature converge more slowly.',

  // the panel
  'experiments.title': 'Experiments: Hinton’s effects in miniature',
  'experiments.lead': 'Distillation’s effects show only in the right settings. Each preset sets the controls (and the link) for one experiment of Hinton, Vinyals & Dean (2015), then trains to the end at fast speed. Afterwards the page says, from this run’s own numbers, whether it showed the claim.',
  'experiments.claim': 'What it shows:',
  'experiments.setup': 'Settings: {list}',
  'experiments.setupMore': 'the other settings at the data set’s defaults',
  'experiments.run': 'Run this experiment',
  'experiments.runLabel': 'Run this experiment: {title}',
  'experiments.activeTag': 'active',
  'experiments.unavailable': 'This engine has no experiments.',
  'experiments.started': 'Running the experiment “{title}”: the settings are applied and training runs to the end at fast speed.',

  // the result of the active experiment
  'experiments.resultTitle': 'Result: {title}',
  'experiments.running': 'Training with this preset: the verdict appears here once the run is done.',
  'experiments.paused': 'Paused: press Play to finish the run; the verdict appears here once it is done.',
  'experiments.diverged': 'This run diverged, so there is no verdict. Press “Run this experiment” to start again.',
  'experiments.shown': 'This run showed it: {details}',
  'experiments.notShown': 'This run did not show it: {details}',
  'experiments.omitted.details': 'after the bias adjustment, the distilled student recognises {kdAfter} of the test {cls}s and the control {controlAfter} (before the adjustment: distilled {kdBefore}, control {controlBefore}).',
  'experiments.omitted.notMost': 'That is fewer than half of the test {cls}s, so not “most of them”.',
  'experiments.small.details': 'the distilled student reaches {kd} test accuracy and the control {control} ({delta}).',
  'experiments.small.curves': 'The accuracy curves below show both students epoch by epoch: compare them at epoch 40 and at the end.',
  'experiments.accuracies': 'Test accuracy of all classes: teacher {teacher}, distilled student {kd}, control student {control}.',
  'experiments.shifts': 'Bias adjustment for class {cls}: +{kdShift} for the distilled student, +{controlShift} for the control (each raised until it predicts {cls} for as many training samples as truly are {cls}s).',
  'experiments.liveChanged': 'T or α was changed while this run trained: these are the numbers of this run, not of the preset alone.',
  'experiments.points': '{value} points',

  // the table of the numbers
  'experiments.table.caption': 'The numbers of this run',
  'experiments.table.model': 'Model',
  'experiments.table.test': 'Test accuracy',
  'experiments.table.before': 'Test {cls}s recognised, before the adjustment',
  'experiments.table.after': 'Test {cls}s recognised, after the adjustment',
  'experiments.table.shift': 'Bias adjustment',
  'experiments.table.none': '—',

  // the bias slider (omitted class)
  'experiments.bias.title': 'Raise the bias for {cls} yourself',
  'experiments.bias.lead': 'Add an amount to each student’s output bias (its logit) for class {cls} and see what the students then predict. The marks under the slider show each student’s adjusted shift: where it predicts {cls} for as many training samples as truly are {cls}s ({trainTrue}).',
  'experiments.bias.label': 'Bias added to class {cls}',
  'experiments.bias.valueText': '+{shift}: distilled student {kd} of the test {cls}s, control student {control}',
  'experiments.bias.markKd': 'distilled student’s adjusted shift: +{shift}',
  'experiments.bias.markControl': 'control student’s adjusted shift: +{shift}',
  'experiments.bias.caption': 'Both students with +{shift} added to the bias for class {cls}',
  'experiments.bias.class': 'Test {cls}s recognised',
  'experiments.bias.overall': 'Test accuracy (all classes)',
  'experiments.bias.predicted': 'Training samples predicted as {cls}',
  'experiments.bias.predictedOf': '{predicted} (truly {cls}: {trainTrue})',
  'experiments.bias.adjusted': 'Adjusted shift',
};
