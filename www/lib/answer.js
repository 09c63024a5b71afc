// What the exam answer (answer.html) is built from: a finished run and its compression bench, reduced to plain
// numbers the engine computed (nothing here computes a number of its own, it only copies them). The main page
// keeps it in local storage when the learner opens the answer; answer.html reads it, or, opened on its own,
// trains the default digits comparison and builds it the same way.

/** Where the main page keeps the answer's data for answer.html. */
export const ANSWER_KEY = 'kd-playground:answer';
const KIND = 'kd-playground-answer';
const VERSION = 1;

/**
 * The answer's data from playground `pg` (a finished run) and `report` (its CompressionBench.report()).
 * @returns {{kind, v, dataset, classNames, settings, teacher, student, sample, bench}}
 */
export function answerData(pg, report) {
  const settings = pg.settings();
  const info = pg.modelInfo();
  const history = pg.history();
  const last = history.students.at(-1) ?? {};
  const teacherLast = history.teacher.at(-1) ?? {};
  const index = pg.tellingSample();
  const sample = index === undefined || index === null ? null : pg.inspect('test', index);
  return {
    kind: KIND,
    v: VERSION,
    dataset: settings.dataset,
    classNames: pg.dataInfo().classNames,
    settings: {
      temperature: settings.temperature,
      alpha: settings.alpha,
      method: settings.method,
      teacherHidden: settings.teacherHidden,
      studentHidden: settings.studentHidden,
      teacherEpochs: settings.teacherEpochs,
      studentEpochs: settings.studentEpochs,
      seed: settings.seed,
    },
    teacher: { layers: info.teacher.layers, parameters: info.teacher.parameters, testAccuracy: teacherLast.testAccuracy ?? null },
    student: {
      layers: info.student.layers,
      parameters: info.student.parameters,
      kdTestAccuracy: last.kdTestAccuracy ?? null,
      controlTestAccuracy: last.controlTestAccuracy ?? null,
    },
    sample,
    bench: report,
  };
}

/** Keeps `data` for answer.html; false when storage is full or switched off. */
export function keepAnswer(storage, data) {
  try {
    storage.setItem(ANSWER_KEY, JSON.stringify(data));
    return true;
  } catch {
    return false;
  }
}

/** The kept answer data, or null (none, or not this version's). */
export function readAnswer(storage) {
  try {
    const data = JSON.parse(storage.getItem(ANSWER_KEY) ?? 'null');
    return data && data.kind === KIND && data.v === VERSION ? data : null;
  } catch {
    return null;
  }
}
