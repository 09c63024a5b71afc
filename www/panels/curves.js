// The training curves: the one-line verdict comparing the two students, the engine's loss and accuracy charts,
// the latest numbers, and the curves in words for readers who cannot see the charts. Everything shown is a number
// of the run's history (kept in the store, appended as training goes) or of its last mini-batch, only formatted.

import { store } from '../store.js';
import { t } from '../i18n.js';
import { byId, h, setData, setText, sizeCanvas } from '../lib/dom.js';
import { unchanged } from '../loop.js';
import { fixed, pct, points, samplePoints } from '../lib/format.js';
import { attempt, currentMethod, FAILED, hasTeacher } from '../run.js';

/** A paragraph of text. */
const para = (text) => h('p', { text });

/** `key.one` when n is 1, else `key.many`. */
function plural(key, n, params) {
  return t(`${key}.${n === 1 ? 'one' : 'many'}`, { n, ...params });
}

/** A difference of two accuracies in points, "±0.0" when it rounds to nothing. */
function signedPoints(diff) {
  const text = points(diff);
  return t('verdict.points', { value: /^\D?0\.0$/.test(text) ? '±0.0' : text });
}

/** The one-line comparison of the two students, only what the numbers say. */
function verdictText(history, status, dataInfo) {
  const s = history.students ?? [];
  const tch = history.teacher ?? [];
  const last = s[s.length - 1];
  const started = status.phase === 'distil' || status.phase === 'done' || (status.phase === 'diverged' && last && last.epoch > 0);
  if (started && last && last.epoch > 0) {
    const diff = last.kdTestAccuracy - last.controlTestAccuracy;
    const one = dataInfo?.nTest ? ` ${t('verdict.onePoint', { value: samplePoints(dataInfo.nTest) })}` : '';
    return {
      text: plural('verdict.students', last.epoch, {
        kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), diff: signedPoints(diff),
      }) + one,
      sign: Math.abs(diff) < 0.0005 ? 0 : Math.sign(diff),
    };
  }
  if (status.phase === 'diverged') return { text: t('verdict.diverged'), sign: 0 };
  if (!hasTeacher() && status.steps === 0) return { text: t('verdict.startNoTeacher', { method: t(`method.name.${currentMethod()}`) }), sign: 0 };
  if (started) return { text: t('verdict.distilBegun'), sign: 0 };
  const lt = tch[tch.length - 1];
  if (lt && lt.epoch > 0) return { text: plural('verdict.teacher', lt.epoch, { acc: pct(lt.testAccuracy) }), sign: 0 };
  return { text: t('verdict.start'), sign: 0 };
}

/**
 * Latest numbers as a definition list, named as the loss chart names them: the hard-label CE of both students first
 * (the quantity they share), then the distilled student's soft term T²·KL (its own) and its weighted total.
 */
function renderLatest(dl, history, lastBatch, terms) {
  const groups = [];
  const group = (title, items) => groups.push({ title, items });
  const tch = history.teacher?.[history.teacher.length - 1];
  if (tch && hasTeacher()) {
    group(t('latest.teacher', { epoch: tch.epoch }), [
      [t('latest.trainLoss'), fixed(tch.trainLoss)],
      [t('latest.trainAcc'), pct(tch.trainAccuracy)],
      [t('latest.testAcc'), pct(tch.testAccuracy)],
    ]);
  }
  const s = history.students?.[history.students.length - 1];
  if (s) {
    group(t('latest.kd', { epoch: s.epoch }), [
      [t('latest.hardCe'), fixed(s.hardLoss)],
      [terms.soft, fixed(s.softLoss), terms.softTitle],
      [terms.total, fixed(s.totalLoss), t(terms.totalTitleKey, { T: fixed(s.temperature, 2), alpha: fixed(s.alpha, 2) })],
      [t('latest.trainAcc'), pct(s.kdTrainAccuracy)],
      [t('latest.testAcc'), pct(s.kdTestAccuracy)],
    ]);
    group(t('latest.control', { epoch: s.epoch }), [
      [t('latest.hardCe'), fixed(s.controlHardLoss)],
      [t('latest.trainAcc'), pct(s.controlTrainAccuracy)],
      [t('latest.testAcc'), pct(s.controlTestAccuracy)],
    ]);
  }
  if (lastBatch) {
    group(t('latest.batch'), [
      [terms.soft, fixed(lastBatch.softLoss)],
      [t('latest.hardCe'), fixed(lastBatch.hardLoss)],
      [terms.total, fixed(lastBatch.totalLoss)],
      [t('latest.batchControl'), fixed(lastBatch.controlHardLoss)],
    ]);
  }
  // the same groups of the same terms as drawn last (between epochs): only the numbers are written, in place
  const shape = JSON.stringify(groups.map((g) => [g.title, g.items.map(([name, , tip]) => [name, tip ?? null])]));
  const values = groups.flatMap((g) => g.items.map(([, value]) => value));
  const drawn = latestDrawn.get(dl);
  if (drawn?.shape === shape) {
    values.forEach((value, i) => setText(drawn.strong[i], value));
    return;
  }
  dl.replaceChildren(...groups.map(({ title, items }) => h('div', { className: 'latest-group' }, h('dt', { text: title }),
    h('dd', {}, items.map(([name, value, tip], i) => [i > 0 ? ' · ' : null, h('span', { className: 'term', title: tip }, `${name} `, h('strong', { text: value }))])))));
  latestDrawn.set(dl, { shape, strong: [...dl.querySelectorAll('strong')] });
}

/** The latest numbers' list as last built: its groups and terms (`shape`) and the elements of its numbers. */
const latestDrawn = new WeakMap();

/** The largest value of `key` over `rows`, with its epoch. */
function bestOf(rows, key) {
  let hi = null;
  for (const r of rows) {
    const v = r[key];
    if (Number.isFinite(v) && (!hi || v > hi.v)) hi = { v, epoch: r.epoch };
  }
  return hi;
}

/**
 * The curves in words, for readers who cannot see the charts: one paragraph per model with the first and the
 * last value of each curve and the best test accuracy (from the run's history). As in the loss chart, both students'
 * hard-label CE comes first, and the distilled student's soft term separately.
 */
function renderCurvesSummary(container, history, terms) {
  container.replaceChildren();
  const teacher = (history.teacher ?? []).filter((r) => r.epoch > 0);
  const students = (history.students ?? []).filter((r) => r.epoch > 0);
  if (!hasTeacher()) {
    // mutual learning and self-distillation: no teacher to describe, the students from the start
    container.append(para(t('summary.noTeacher', { method: t(`method.name.${currentMethod()}`) })));
    if (students.length === 0) container.append(para(t('summary.curvesEmpty')));
  } else if (teacher.length === 0) {
    container.append(para(t('summary.curvesEmpty')));
    return;
  } else {
    const first = teacher[0];
    const last = teacher[teacher.length - 1];
    const best = bestOf(teacher, 'testAccuracy');
    container.append(para(t('summary.teacher', {
      epochs: last.epoch, lossFirst: fixed(first.trainLoss), lossLast: fixed(last.trainLoss),
      acc: pct(last.testAccuracy), best: pct(best?.v), bestEpoch: best?.epoch ?? '—',
    })));
  }
  if (students.length === 0) return;
  const sf = students[0];
  const sl = students[students.length - 1];
  const bestKd = bestOf(students, 'kdTestAccuracy');
  const bestControl = bestOf(students, 'controlTestAccuracy');
  container.append(para(t('summary.kd', {
    term: terms.soft,
    epochs: sl.epoch, softFirst: fixed(sf.softLoss), softLast: fixed(sl.softLoss), hardFirst: fixed(sf.hardLoss),
    hardLast: fixed(sl.hardLoss), acc: pct(sl.kdTestAccuracy), best: pct(bestKd?.v), bestEpoch: bestKd?.epoch ?? '—',
  })));
  container.append(para(t('summary.control', {
    epochs: sl.epoch, hardFirst: fixed(sf.controlHardLoss), hardLast: fixed(sl.controlHardLoss),
    acc: pct(sl.controlTestAccuracy), best: pct(bestControl?.v), bestEpoch: bestControl?.epoch ?? '—',
  })));
}


/**
 * The distilled student's soft term and total as the run's method computes them, named as the loss chart names
 * them (the engine's words): KD's T²·KL to the teacher, or RKD's relations, the KL to the other peer (DML), the
 * exit's KL to the final head (BYOT)…
 */
export function softTermWords(pg) {
  const method = currentMethod();
  const kd = method === 'kd' && store.get('applied').klDirection !== 'reverse';
  const soft = kd || typeof pg?.softTermText !== 'function' ? t('latest.soft') : pg.softTermText();
  return {
    kd,
    soft,
    softTitle: kd ? t('latest.softTitle') : t('latest.softTitleOf', { term: soft }),
    total: t(method === 'byot' ? 'latest.totalByot' : 'latest.total'), // BYOT's total is not weighted by α
    totalTitleKey: method === 'byot' ? 'latest.totalTitleByot' : method === 'fitnets' ? 'latest.totalTitleFitnets' : 'latest.totalTitle',
  };
}

/**
 * The verdict, the charts, the latest numbers and the curves in words. The charts and the words are of the history
 * (one point per epoch): between epochs only the verdict and the latest numbers (the last batch's) change.
 */
function drawCurves(view) {
  const pg = store.get('pg');
  const status = store.get('status');
  if (!pg || !status) return;
  const history = store.get('history');
  const terms = softTermWords(pg);
  // the charts before the words (a chart's font brings the page's styles up to date: cheap before words change)
  const epochs = !unchanged(view, [pg, history, store.get('applied'), store.get('language'), store.get('layout')]);
  if (epochs) {
    const loss = byId('loss-curves');
    const accuracy = byId('accuracy-curves');
    let drawn = true;
    for (const [canvas, draw] of [[loss, () => pg.drawLossCurves(loss)], [accuracy, () => pg.drawAccuracyCurves(accuracy)]]) {
      if (!sizeCanvas(canvas) || attempt('do.draw', draw) === FAILED) drawn = false;
    }
    if (!drawn) view.inputs = null; // not laid out yet (or failed): drawn again next time
  }
  const verdict = byId('verdict');
  const v = verdictText(history, status, store.get('dataInfo'));
  setText(verdict, v.text);
  setData(verdict, 'sign', String(v.sign));
  renderLatest(byId('latest'), history, store.get('lastBatch'), terms);
  if (!epochs) return;
  // the caption explains KD's soft term; another method's names its own, as the legend does
  byId('loss-curves-caption').textContent = terms.kd ? t('curves.lossCaption') : t('curves.lossCaptionOf', { term: terms.soft });
  renderCurvesSummary(byId('curves-summary'), history, terms);
}

/** Declares the panel's view: it follows the history and the last batch, never T or α (past epochs keep theirs). */
export function installCurves() {
  store.view('curves', {
    group: 'main', deps: ['pg', 'status', 'history', 'lastBatch', 'dataInfo', 'language', 'layout'], draw: drawCurves,
  });
}
