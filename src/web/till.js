// The till (SPEC §4): keyboard and scanner first. Scan or type → Enter quotes → Enter confirms, Esc cancels.
// One Idempotency-Key per confirmed quote, reused on every retry, so a double Enter never records twice.
(function () {
  'use strict';
  const { api, yuan } = window.HC;
  const $ = (id) => document.getElementById(id);

  const PERIODS = { BREAKFAST: '早餐', LUNCH: '午餐', DINNER: '晚餐' };
  const TIERS = { NONE: '无补贴', '70_79': '70–79 岁', '80_PLUS': '80 岁以上' };
  const REASONS = {
    TIER_70_79: '70–79 岁补贴',
    TIER_80_PLUS: '80 岁以上补贴',
    UNDER_AGE: '未满 70 岁',
    NOT_ELIGIBLE: '不符合补贴条件',
    ALREADY_SUBSIDISED: '今日已补贴',
    NO_POLICY: '无适用政策',
  };
  const ID_SHAPE = /^(\d{17}[\dXx]|\d{15})$/;

  const state = {
    canteens: [],
    canteen: null,
    period: null,
    mode: 'idle', // idle | quoting | quote | recording | register
    pending: null, // { input, key, verification, quote }
    keyTimes: [],
  };

  function show(id) {
    for (const s of ['login', 'pick', 'main']) $(s).classList.toggle('hidden', s !== id);
  }

  function say(text, kind) {
    const el = $('message');
    el.textContent = text || '';
    el.className = kind || '';
  }

  const tierLabel = (t) => TIERS[t] || t;
  const reasonLabel = (r) => REASONS[r] || r;

  // ---- start ----------------------------------------------------------------------------------------------

  async function start() {
    if (!HC.token()) {
      show('login');
      $('login-username').focus();
      return;
    }
    try {
      const till = await api('GET', '/api/till');
      state.canteens = till.canteens;
      $('user-name').textContent = (HC.currentUser() || {}).username || '';
      if (till.canteens.length === 0) {
        show('pick');
        $('pick-error').textContent = '您的账号没有可用的食堂，请联系站点管理员';
        return;
      }
      const remembered = Number(sessionStorage.getItem('hc.till.canteen'));
      const chosen = till.canteens.find((c) => c.id === remembered);
      if (till.canteens.length === 1 || chosen) openCanteen(chosen || till.canteens[0]);
      else pickCanteen();
    } catch (e) {
      if (e.status === 401) return start();
      show('pick');
      $('pick-error').textContent = e.message;
    }
  }

  function pickCanteen() {
    show('pick');
    const list = $('pick-list');
    list.innerHTML = '';
    state.canteens.forEach((c, i) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = i + 1 + '. ' + c.name;
      b.addEventListener('click', () => openCanteen(c));
      li.appendChild(b);
      list.appendChild(li);
    });
    const first = list.querySelector('button');
    if (first) first.focus();
  }

  function openCanteen(c) {
    state.canteen = c;
    sessionStorage.setItem('hc.till.canteen', String(c.id));
    $('canteen-name').textContent = c.name;
    const periods = $('periods');
    periods.innerHTML = '';
    for (const p of Object.keys(PERIODS)) {
      if (c.prices[p] === undefined) continue;
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.period = p;
      b.setAttribute('role', 'radio');
      b.textContent = PERIODS[p] + ' ¥' + yuan(c.prices[p]);
      b.addEventListener('click', () => {
        setPeriod(p);
        $('scan').focus();
      });
      periods.appendChild(b);
    }
    setPeriod(c.currentPeriod || Object.keys(c.prices)[0] || 'LUNCH');
    show('main');
    reset();
    loadMeals();
  }

  function setPeriod(p) {
    state.period = p;
    for (const b of $('periods').querySelectorAll('button')) {
      const on = b.dataset.period === p;
      b.classList.toggle('primary', on);
      b.setAttribute('aria-checked', on ? 'true' : 'false');
    }
    if (state.mode === 'quote') cancel();
  }

  // ---- scan → quote → confirm -----------------------------------------------------------------------------

  function reset() {
    state.mode = 'idle';
    state.pending = null;
    state.keyTimes = [];
    $('quote').classList.add('hidden');
    $('register').classList.add('hidden');
    $('scan').disabled = false;
    $('scan').value = '';
    $('scan').focus();
  }

  function cancel() {
    reset();
    say('已取消', 'muted');
  }

  // A reader or scanner types a whole number in a few milliseconds per key; a person is much slower.
  function typedByDevice() {
    const t = state.keyTimes;
    if (t.length < 10) return false;
    return (t[t.length - 1] - t[0]) / (t.length - 1) < 35;
  }

  async function quote(raw, verification) {
    const input = raw.replace(/\s+/g, '');
    if (!input) return;
    const isId = ID_SHAPE.test(input.replace(/[Ｘｘ]/g, 'X')) || /^[\d０-９]{15,17}[\dXxＸｘ０-９]$/.test(input);
    const v = verification || (isId ? (typedByDevice() ? 'ID_CARD_READER' : 'MANUAL_ENTRY') : 'MEAL_CARD');
    state.mode = 'quoting';
    say('正在查询…', 'muted');
    const params = new URLSearchParams({ mealPeriod: state.period });
    params.set(isId ? 'idNumber' : 'cardNo', input);
    try {
      const q = await api('GET', '/api/canteens/' + state.canteen.id + '/meals/quote?' + params.toString());
      state.pending = { input, isId, verification: v, quote: q, key: null };
      renderQuote(q);
      state.mode = 'quote';
      // The full number stays off the screen once read: the quote shows it masked.
      $('scan').value = '';
      $('scan').disabled = true;
      say('请核对后按 Enter 确认收款，Esc 取消', '');
      $('confirm').focus();
    } catch (e) {
      state.mode = 'idle';
      if (e.code === 'DINER_NOT_FOUND' && isId) return offerRegistration(input);
      say(e.message, 'error');
      $('scan').select();
    }
  }

  function renderQuote(q) {
    $('q-name').textContent = q.diner.name;
    $('q-id').textContent = q.diner.maskedIdNumber;
    $('q-age').textContent = q.diner.age + ' 周岁';
    $('q-tier').textContent = tierLabel(q.tier);
    $('q-price').textContent = '¥' + yuan(q.priceFen);
    $('q-subsidy').textContent = '¥' + yuan(q.subsidyFen);
    $('q-payable').textContent = '¥' + yuan(q.payableFen);
    const w = $('q-warnings');
    w.innerHTML = '';
    for (const warning of q.warnings) {
      const p = document.createElement('p');
      p.className = 'warning';
      p.dataset.code = warning.code;
      p.textContent = '⚠ ' + warning.message;
      w.appendChild(p);
    }
    $('quote').classList.remove('hidden');
  }

  async function confirm() {
    if (state.mode !== 'quote' || !state.pending) return;
    const p = state.pending;
    // Made once per quote and kept until the meal is recorded: every retry sends the same key.
    if (!p.key) p.key = crypto.randomUUID();
    state.mode = 'recording';
    $('confirm').disabled = true;
    say('正在记录…', 'muted');
    const body = { mealPeriod: state.period, verification: p.verification };
    if (p.isId) body.idNumber = p.input;
    else body.cardNo = p.input;
    try {
      const meal = await api('POST', '/api/canteens/' + state.canteen.id + '/meals', body, {
        'Idempotency-Key': p.key,
      });
      $('confirm').disabled = false;
      reset();
      say(
        '已记录：' +
          meal.diner.name +
          '，' +
          PERIODS[meal.mealPeriod] +
          '，应收 ¥' +
          yuan(meal.payableFen) +
          (meal.subsidyFen > 0
            ? '（补贴 ¥' + yuan(meal.subsidyFen) + '）'
            : '（' + reasonLabel(meal.reason) + '，无补贴）'),
        'ok',
      );
      loadMeals();
    } catch (e) {
      $('confirm').disabled = false;
      state.mode = 'quote';
      if (e.code === 'NETWORK' || e.status >= 500) {
        say(e.message + '。按 Enter 重试（不会重复记录），Esc 取消', 'error');
      } else {
        say(e.message, 'error');
        state.pending.key = null;
      }
      $('confirm').focus();
    }
  }

  // ---- first-time diner -----------------------------------------------------------------------------------

  function offerRegistration(idNumber) {
    state.mode = 'register';
    state.pending = { input: idNumber, isId: true, verification: typedByDevice() ? 'ID_CARD_READER' : 'MANUAL_ENTRY' };
    const masked = idNumber.length >= 10 ? idNumber.slice(0, 6) + '********' + idNumber.slice(-4) : idNumber;
    $('reg-id').textContent = masked;
    $('reg-name').value = '';
    $('register').classList.remove('hidden');
    $('scan').value = '';
    $('scan').disabled = true;
    say('未找到登记信息，请填写姓名当场登记', 'warning');
    $('reg-name').focus();
  }

  async function register(ev) {
    ev.preventDefault();
    if (state.mode !== 'register') return;
    const name = $('reg-name').value.trim();
    if (!name) {
      say('请填写老人姓名', 'error');
      return;
    }
    const p = state.pending;
    try {
      await api('POST', '/api/diners', { name, idNumber: p.input, canteenId: state.canteen.id });
    } catch (e) {
      if (e.code !== 'DINER_EXISTS') {
        say(e.message, 'error');
        return;
      }
    }
    $('register').classList.add('hidden');
    $('scan').disabled = false;
    await quote(p.input, p.verification);
  }

  // ---- today's meals --------------------------------------------------------------------------------------

  async function loadMeals() {
    try {
      const data = await api('GET', '/api/canteens/' + state.canteen.id + '/meals');
      $('today-date').textContent = data.date;
      const t = data.totals;
      const tiers = Object.keys(t.byTier)
        .map((k) => tierLabel(k) + ' ' + t.byTier[k].count + ' 人次')
        .join('，');
      $('totals').textContent =
        '共 ' +
        t.count +
        ' 餐，补贴 ' +
        t.subsidisedCount +
        ' 餐' +
        (tiers ? '（' + tiers + '）' : '') +
        '，补贴合计 ¥' +
        yuan(t.subsidyFen) +
        '，实收合计 ¥' +
        yuan(t.payableFen) +
        (t.voidedCount ? '，已作废 ' + t.voidedCount + ' 笔' : '');
      const tbody = $('meals');
      tbody.innerHTML = '';
      for (const m of data.meals) {
        const tr = document.createElement('tr');
        tr.dataset.mealId = m.id;
        if (m.voided) tr.className = 'till-voided';
        const time = new Date(m.servedAt).toLocaleTimeString('zh-CN', {
          timeZone: 'Asia/Shanghai',
          hour: '2-digit',
          minute: '2-digit',
        });
        const cells = [
          time,
          m.diner.name,
          m.diner.maskedIdNumber,
          PERIODS[m.mealPeriod],
          ['num', '¥' + yuan(m.priceFen)],
          ['num', '¥' + yuan(m.subsidyFen)],
          ['num', '¥' + yuan(m.payableFen)],
          m.voided ? '已作废：' + m.voided.reason : reasonLabel(m.reason),
        ];
        for (const c of cells) {
          const td = document.createElement('td');
          if (Array.isArray(c)) {
            td.className = c[0];
            td.textContent = c[1];
          } else td.textContent = c;
          tr.appendChild(td);
        }
        const td = document.createElement('td');
        if (!m.voided) {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'till-void';
          b.textContent = '作废';
          b.addEventListener('click', () => openVoid(m));
          td.appendChild(b);
        }
        tr.appendChild(td);
        tbody.appendChild(tr);
      }
    } catch (e) {
      $('totals').textContent = e.message;
    }
  }

  let voiding = null;
  function openVoid(meal) {
    voiding = meal;
    $('void-what').textContent = meal.diner.name + '（' + PERIODS[meal.mealPeriod] + ' ¥' + yuan(meal.priceFen) + '）';
    $('void-reason').value = '';
    $('void-error').textContent = '';
    $('void-dialog').showModal();
    $('void-reason').focus();
  }

  async function submitVoid(ev) {
    ev.preventDefault();
    const reason = $('void-reason').value.trim();
    if (!reason) {
      $('void-error').textContent = '请填写作废原因';
      return;
    }
    try {
      await api('POST', '/api/meals/' + voiding.id + '/void', { reason });
      $('void-dialog').close();
      say('已作废：' + voiding.diner.name, 'ok');
      voiding = null;
      loadMeals();
      reset();
    } catch (e) {
      $('void-error').textContent = e.message;
    }
  }

  // ---- keys -----------------------------------------------------------------------------------------------

  $('scan').addEventListener('keydown', (ev) => {
    if (ev.key.length === 1) state.keyTimes.push(performance.now());
  });
  $('scan').addEventListener('input', () => {
    if ($('scan').value === '') state.keyTimes = [];
  });
  $('scan-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (state.mode === 'idle') quote($('scan').value);
  });
  $('confirm').addEventListener('click', () => confirm());
  $('cancel').addEventListener('click', () => cancel());
  $('register').addEventListener('submit', register);
  $('reg-cancel').addEventListener('click', () => cancel());
  $('void-form').addEventListener('submit', submitVoid);
  $('void-cancel').addEventListener('click', () => {
    $('void-dialog').close();
    reset();
  });
  $('void-dialog').addEventListener('close', () => $('scan').focus());
  $('switch').addEventListener('click', () => {
    sessionStorage.removeItem('hc.till.canteen');
    if (state.canteens.length > 1) pickCanteen();
  });
  $('logout').addEventListener('click', () => {
    HC.logout();
    sessionStorage.removeItem('hc.till.canteen');
    start();
  });

  document.addEventListener('keydown', (ev) => {
    if ($('void-dialog').open) return;
    if (state.mode === 'quote' || state.mode === 'recording') {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        confirm();
      } else if (ev.key === 'Escape' && state.mode === 'quote') {
        ev.preventDefault();
        cancel();
      }
    } else if (state.mode === 'register' && ev.key === 'Escape') {
      ev.preventDefault();
      cancel();
    } else if (!$('main').classList.contains('hidden') && state.mode === 'idle' && ev.key === 'Escape') {
      reset();
      say('', '');
    }
  });

  HC.loginForm($('login-form'), $('login-error'), () => start());
  start();
})();
