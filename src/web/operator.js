// 站点管理页：价格与时段、收银员、就餐老人（查找、登记、状态）、批量导入。Plain browser JS on common.js (window.HC).
(function () {
  'use strict';

  const PERIODS = ['BREAKFAST', 'LUNCH', 'DINNER'];
  const $ = (id) => document.getElementById(id);
  let canteens = [];
  let canteen = null;
  let statusDiner = null;

  function show(id, visible) {
    $(id).classList.toggle('hidden', !visible);
  }

  function say(text, kind) {
    const el = $('message');
    el.textContent = text || '';
    el.className = 'op-message ' + (kind || 'ok');
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (cls) td.className = cls;
    return td;
  }

  function button(text, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }

  /** '12.5' → 1250; '' → null (not served); anything else → throws a sentence. */
  function yuanToFen(text) {
    const s = text.trim();
    if (s === '') return null;
    const m = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) throw new Error('价格应为不超过两位小数的金额，如 12.50');
    return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  }

  function todayText() {
    const d = new Date();
    return (
      d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0')
    );
  }

  // ---- log in, canteen ----

  async function start() {
    const user = HC.currentUser();
    if (!user || !HC.token()) {
      show('main', false);
      show('login', true);
      $('login-username').focus();
      return;
    }
    if (user.role !== 'OPERATOR' && user.role !== 'ADMIN') {
      HC.logout();
      show('main', false);
      show('login', true);
      $('login-error').textContent = '本页面供站点管理员使用，请使用站点管理员账号登录';
      return;
    }
    show('login', false);
    show('main', true);
    $('user-name').textContent = user.username;
    try {
      canteens = await HC.api('GET', '/api/canteens');
    } catch (e) {
      return fail(e);
    }
    const select = $('canteen-select');
    select.textContent = '';
    for (const c of canteens) {
      const o = document.createElement('option');
      o.value = String(c.id);
      o.textContent = c.name + (c.active ? '' : '（已停用）');
      select.appendChild(o);
    }
    if (canteens.length === 0) {
      say('您还没有关联任何食堂，请联系管理员', 'error');
      return;
    }
    const saved = Number(sessionStorage.getItem('hc.operator.canteen'));
    chooseCanteen(canteens.some((c) => c.id === saved) ? saved : canteens[0].id);
  }

  function fail(e) {
    if (e && e.status === 401) return start();
    say(e && e.message ? e.message : String(e), 'error');
  }

  function chooseCanteen(id) {
    canteen = canteens.find((c) => c.id === id) || null;
    if (!canteen) return;
    sessionStorage.setItem('hc.operator.canteen', String(id));
    $('canteen-select').value = String(id);
    fillCanteenForm();
    loadCashiers();
    searchDiners();
  }

  function fillCanteenForm() {
    $('canteen-type').textContent = canteen.typeLabel;
    for (const p of PERIODS) {
      const fen = canteen.prices[p];
      $('price-' + p).value = fen === null ? '' : HC.yuan(fen);
      $('start-' + p).value = canteen.periodHours[p][0];
      $('end-' + p).value = canteen.periodHours[p][1];
    }
    $('canteen-address').value = canteen.address || '';
  }

  async function saveCanteen(ev) {
    ev.preventDefault();
    $('canteen-error').textContent = '';
    const prices = {};
    const periodHours = {};
    try {
      for (const p of PERIODS) {
        prices[p] = yuanToFen($('price-' + p).value);
        periodHours[p] = [$('start-' + p).value, $('end-' + p).value];
      }
      const updated = await HC.api('PATCH', '/api/canteens/' + canteen.id, {
        prices,
        periodHours,
        address: $('canteen-address').value.trim() || null,
      });
      canteens = canteens.map((c) => (c.id === updated.id ? updated : c));
      canteen = updated;
      fillCanteenForm();
      say('已保存 ' + updated.name + ' 的价格与时段');
    } catch (e) {
      $('canteen-error').textContent = e.message;
    }
  }

  // ---- cashiers ----

  async function loadCashiers() {
    const tbody = $('cashier-rows');
    tbody.textContent = '';
    let users;
    try {
      users = await HC.api('GET', '/api/users');
    } catch (e) {
      return fail(e);
    }
    const mine = users.filter((u) => u.role === 'CASHIER' && u.canteenIds.includes(canteen.id));
    if (mine.length === 0) {
      const tr = document.createElement('tr');
      const td = cell('本食堂还没有收银员');
      td.colSpan = 4;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    for (const u of mine) {
      const tr = document.createElement('tr');
      tr.dataset.username = u.username;
      tr.appendChild(cell(u.username));
      tr.appendChild(cell(u.displayName));
      tr.appendChild(cell(u.active ? '在用' : '已停用', u.active ? 'ok' : 'warning'));
      const actions = document.createElement('td');
      // A cashier who also works at a canteen this operator does not run is the admin's to change (403 CASHIER_SHARED).
      if (u.canteenIds.some((id) => !canteens.some((c) => c.id === id))) {
        actions.textContent = '还在其他食堂工作，仅管理员可修改';
        tr.appendChild(actions);
        tbody.appendChild(tr);
        continue;
      }
      actions.appendChild(
        button(u.active ? '停用' : '启用', () => changeUser(u, { active: !u.active }, u.active ? '已停用' : '已启用')),
      );
      actions.appendChild(
        button('重置密码', () => {
          const pw = window.prompt('请输入 ' + u.username + ' 的新密码（至少 8 位）');
          if (pw) changeUser(u, { password: pw }, '已重置密码');
        }),
      );
      tr.appendChild(actions);
      tbody.appendChild(tr);
    }
  }

  async function changeUser(u, body, done) {
    try {
      await HC.api('PATCH', '/api/users/' + u.id, body);
      say(u.username + ' ' + done);
      loadCashiers();
    } catch (e) {
      fail(e);
    }
  }

  async function addCashier(ev) {
    ev.preventDefault();
    $('cashier-error').textContent = '';
    const body = {
      username: $('cashier-username').value.trim(),
      password: $('cashier-password').value,
      role: 'CASHIER',
      canteenIds: [canteen.id],
    };
    const name = $('cashier-name').value.trim();
    if (name) body.displayName = name;
    try {
      const u = await HC.api('POST', '/api/users', body);
      $('cashier-form').reset();
      say('已添加收银员 ' + u.username);
      loadCashiers();
    } catch (e) {
      $('cashier-error').textContent = e.message;
    }
  }

  // ---- diners ----

  function searchQuery(text) {
    const s = text.trim();
    if (s === '') return '';
    if (/^[0-9０-９xXｘＸ\s]{15,22}$/.test(s)) return '?idNumber=' + encodeURIComponent(s);
    if (/^[0-9A-Za-z-]+$/.test(s)) return '?cardNo=' + encodeURIComponent(s);
    return '?q=' + encodeURIComponent(s);
  }

  async function searchDiners(ev) {
    if (ev) ev.preventDefault();
    $('search-error').textContent = '';
    let diners;
    try {
      diners = await HC.api('GET', '/api/diners' + searchQuery($('search').value));
    } catch (e) {
      $('search-error').textContent = e.message;
      return;
    }
    renderDiners(diners);
    if (diners.length === 0 && $('search').value.trim()) $('search-error').textContent = '没有找到符合条件的老人';
  }

  function renderDiners(diners) {
    const tbody = $('diner-rows');
    tbody.textContent = '';
    for (const d of diners) {
      const tr = document.createElement('tr');
      tr.dataset.dinerId = String(d.id);
      tr.appendChild(cell(d.name));
      tr.appendChild(cell(d.maskedIdNumber));
      tr.appendChild(cell(d.sex === 'M' ? '男' : '女'));
      tr.appendChild(cell(d.age, 'num'));
      tr.appendChild(cell(d.community));
      tr.appendChild(cell(d.cardNo));
      tr.appendChild(
        cell(
          d.statusLabel + (d.status !== 'ACTIVE' ? '（' + d.statusEffectiveFrom + ' 起）' : ''),
          d.status === 'ACTIVE' ? 'ok' : 'warning',
        ),
      );
      const actions = document.createElement('td');
      actions.appendChild(button('变更状态', () => openStatus(d)));
      tr.appendChild(actions);
      tbody.appendChild(tr);
    }
  }

  function openStatus(d) {
    statusDiner = d;
    $('status-diner').textContent = d.name + ' ' + d.maskedIdNumber;
    $('status-value').value = d.status;
    $('status-date').value = todayText();
    $('status-note').value = '';
    $('status-error').textContent = '';
    show('status-form', true);
    $('status-value').focus();
  }

  async function saveStatus(ev) {
    ev.preventDefault();
    const body = { status: $('status-value').value, effectiveFrom: $('status-date').value };
    const note = $('status-note').value.trim();
    if (note) body.note = note;
    try {
      const d = await HC.api('POST', '/api/diners/' + statusDiner.id + '/status', body);
      show('status-form', false);
      say(d.name + ' 的状态已改为「' + d.statusLabel + '」');
      searchDiners();
    } catch (e) {
      $('status-error').textContent = e.message;
    }
  }

  async function registerDiner(ev) {
    ev.preventDefault();
    $('diner-error').textContent = '';
    const body = { name: $('diner-name').value.trim(), idNumber: $('diner-id').value, canteenId: canteen.id };
    for (const [key, id] of [
      ['phone', 'diner-phone'],
      ['cardNo', 'diner-card'],
      ['community', 'diner-community'],
    ]) {
      const v = $(id).value.trim();
      if (v) body[key] = v;
    }
    try {
      const d = await HC.api('POST', '/api/diners', body);
      $('diner-form').reset();
      say('已登记 ' + d.name + '（' + d.maskedIdNumber + '）');
      renderDiners([d]);
    } catch (e) {
      $('diner-error').textContent =
        e.code === 'DINER_EXISTS' ? e.message + '（编号 ' + e.body.details.dinerId + '）' : e.message;
    }
  }

  // ---- import ----

  async function downloadTemplate() {
    try {
      const res = await fetch('/api/diners/import-template', { headers: { Authorization: 'Bearer ' + HC.token() } });
      if (!res.ok) throw new Error('模板下载失败（' + res.status + '）');
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = '就餐老人导入模板.xlsx';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      $('import-error').textContent = e.message;
    }
  }

  async function uploadImport(ev) {
    ev.preventDefault();
    $('import-error').textContent = '';
    show('import-result', false);
    const file = $('import-file').files[0];
    if (!file) {
      $('import-error').textContent = '请选择 .xlsx 文件';
      return;
    }
    const fd = new FormData();
    fd.append('file', file);
    let data = null;
    try {
      const res = await fetch('/api/diners/import?canteenId=' + canteen.id, {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + HC.token(), Accept: 'application/json' },
        body: fd,
      });
      data = await res.json().catch(() => null);
      if (!res.ok) throw new Error(data && data.message ? data.message : '导入失败（' + res.status + '）');
    } catch (e) {
      $('import-error').textContent = e.message === 'Failed to fetch' ? '无法连接服务器，请重试' : e.message;
      return;
    }
    $('import-summary').textContent =
      '导入 ' +
      data.imported +
      ' 人，已登记跳过 ' +
      data.skipped +
      ' 人，有误 ' +
      data.rejected.length +
      ' 行' +
      (data.rejected.length ? '（见下表，改正后可重新上传整个文件）' : '。');
    const tbody = $('import-rows');
    tbody.textContent = '';
    for (const r of data.rejected) {
      const tr = document.createElement('tr');
      tr.appendChild(cell(r.row, 'num'));
      tr.appendChild(cell(r.reason));
      tbody.appendChild(tr);
    }
    show('import-result', true);
    $('import-form').reset();
    searchDiners();
  }

  // ---- wiring ----

  function openTab(name) {
    for (const b of document.querySelectorAll('.op-tabs button')) b.classList.toggle('active', b.dataset.tab === name);
    for (const s of document.querySelectorAll('.op-tab')) s.classList.toggle('hidden', s.id !== 'tab-' + name);
  }

  HC.loginForm($('login-form'), $('login-error'), () => {
    $('login-error').textContent = '';
    start();
  });
  $('logout').addEventListener('click', () => {
    HC.logout();
    start();
  });
  $('canteen-select').addEventListener('change', (ev) => chooseCanteen(Number(ev.target.value)));
  for (const b of document.querySelectorAll('.op-tabs button'))
    b.addEventListener('click', () => openTab(b.dataset.tab));
  $('canteen-form').addEventListener('submit', saveCanteen);
  $('cashier-form').addEventListener('submit', addCashier);
  $('search-form').addEventListener('submit', searchDiners);
  $('status-form').addEventListener('submit', saveStatus);
  $('status-cancel').addEventListener('click', () => show('status-form', false));
  $('diner-form').addEventListener('submit', registerDiner);
  $('template').addEventListener('click', downloadTemplate);
  $('import-form').addEventListener('submit', uploadImport);
  start();
})();
