// 실험 패널(experiments.js)의 한국어 텍스트. `experiment.<이름>.title` / `.claim`은 엔진의 영어 문장
// (src/experiments.rs)을 옮긴 것이고, `experiments.*`는 패널의 텍스트입니다. 영어 용어는 괄호 안에 남깁니다.
export default {
  // 프리셋
  'experiment.omitted-class.title': '빠진 클래스 (omitted class, Hinton §3)',
  'experiment.omitted-class.claim': '3을 한 번도 보지 못한 학생 모델도 다른 숫자들에 대한 교사 모델의 소프트 레이블(soft label)만으로 3을 알아보는 법을 배웁니다: 3에 대한 편향(bias)을 올려 주면 3을 대부분 찾아내지만, 하드 레이블(hard label)로만 배운 대조군(control)은 그러지 못합니다.',
  'experiment.small-transfer-set.title': '작은 전이 세트 (small transfer set, Hinton §6)',
  'experiment.small-transfer-set.claim': '학습 데이터의 10%만으로 배울 때, 에포크(epoch)가 충분하면 증류된 학생 모델이 하드 레이블로만 배운 쌍둥이보다 더 잘 일반화합니다: 40 에포크에서는 아직 뒤처지는데, 높은 온도의 소프트 타깃(soft target)은 더 느리게 수렴하기 때문입니다.',

  // 패널
  'experiments.title': '실험: 작은 규모로 재현하는 Hinton의 효과',
  'experiments.lead': '지식 증류의 효과는 알맞은 설정에서만 드러납니다. 각 프리셋(preset)은 Hinton, Vinyals & Dean (2015)의 실험 하나에 맞게 설정(과 링크)을 바꾸고, 빠른 속도로 끝까지 학습합니다. 학습이 끝나면 이번 실행의 숫자를 보고, 이번 실행이 그 주장을 보여 주었는지 알려 줍니다.',
  'experiments.claim': '보여 주는 것:',
  'experiments.setup': '설정: {list}',
  'experiments.setupMore': '나머지 설정은 데이터 세트의 기본값',
  'experiments.run': '이 실험 실행',
  'experiments.runLabel': '이 실험 실행: {title}',
  'experiments.activeTag': '실행 중인 실험',
  'experiments.unavailable': '이 엔진에는 실험이 없습니다.',
  'experiments.started': '실험 “{title}”을(를) 실행합니다: 설정을 적용했고, 빠른 속도로 끝까지 학습합니다.',

  // 실행 중인 실험의 결과
  'experiments.resultTitle': '결과: {title}',
  'experiments.running': '이 프리셋으로 학습 중입니다. 실행이 끝나면 여기에 판정이 나옵니다.',
  'experiments.paused': '일시 정지되었습니다. 재생을 눌러 실행을 끝내세요. 끝나면 여기에 판정이 나옵니다.',
  'experiments.diverged': '이번 실행은 발산했으므로 판정이 없습니다. “이 실험 실행”을 눌러 다시 시작하세요.',
  'experiments.shown': '이번 실행은 이 효과를 보여 주었습니다: {details}',
  'experiments.notShown': '이번 실행은 이 효과를 보여 주지 못했습니다: {details}',
  'experiments.omitted.details': '편향 조정(bias adjustment) 뒤, 증류된 학생 모델은 테스트 세트의 {cls} 가운데 {kdAfter}를, 대조군은 {controlAfter}를 알아봅니다 (조정 전: 증류된 학생 모델 {kdBefore}, 대조군 {controlBefore}).',
  'experiments.omitted.notMost': '테스트 세트의 {cls} 가운데 절반이 안 되므로 “대부분”은 아닙니다.',
  'experiments.small.details': '증류된 학생 모델의 테스트 정확도는 {kd}, 대조군은 {control}입니다 ({delta}).',
  'experiments.small.curves': '아래 정확도 곡선에서 두 학생 모델을 에포크마다 볼 수 있습니다: 40 에포크와 마지막을 비교해 보세요.',
  'experiments.accuracies': '모든 클래스의 테스트 정확도: 교사 모델 {teacher}, 증류된 학생 모델 {kd}, 대조군 학생 모델 {control}.',
  'experiments.shifts': '클래스 {cls}의 편향 조정: 증류된 학생 모델은 +{kdShift}, 대조군은 +{controlShift} (각각 학습 샘플 가운데 {cls}(으)로 예측하는 수가 실제 {cls}의 수와 같아질 때까지 올림).',
  'experiments.liveChanged': '이번 실행이 학습하는 동안 T나 α가 바뀌었습니다: 프리셋만의 숫자가 아니라 이번 실행의 숫자입니다.',
  'experiments.points': '{value}%p',

  // 숫자 표
  'experiments.table.caption': '이번 실행의 숫자',
  'experiments.table.model': '모델',
  'experiments.table.test': '테스트 정확도',
  'experiments.table.before': '테스트 {cls} 인식률 (조정 전)',
  'experiments.table.after': '테스트 {cls} 인식률 (조정 후)',
  'experiments.table.shift': '편향 조정',
  'experiments.table.none': '—',

  // 편향 슬라이더 (빠진 클래스)
  'experiments.bias.title': '{cls}의 편향을 직접 올려 보기',
  'experiments.bias.lead': '두 학생 모델의 클래스 {cls} 출력 편향(로짓, logit)에 값을 더하고, 학생 모델이 무엇을 예측하는지 보세요. 슬라이더 아래 표시는 각 학생 모델의 조정된 이동량입니다: 학습 샘플 가운데 {cls}(으)로 예측하는 수가 실제 {cls}의 수({trainTrue})와 같아지는 곳입니다.',
  'experiments.bias.label': '클래스 {cls}에 더한 편향',
  'experiments.bias.valueText': '+{shift}: 테스트 세트의 {cls} 가운데 증류된 학생 모델 {kd}, 대조군 학생 모델 {control}',
  'experiments.bias.markKd': '증류된 학생 모델의 조정 이동량: +{shift}',
  'experiments.bias.markControl': '대조군 학생 모델의 조정 이동량: +{shift}',
  'experiments.bias.caption': '클래스 {cls}의 편향에 +{shift}를 더한 두 학생 모델',
  'experiments.bias.class': '테스트 {cls} 인식률',
  'experiments.bias.overall': '테스트 정확도 (모든 클래스)',
  'experiments.bias.predicted': '{cls}(으)로 예측한 학습 샘플',
  'experiments.bias.predictedOf': '{predicted} (실제 {cls}: {trainTrue})',
  'experiments.bias.adjusted': '조정 이동량',
};
