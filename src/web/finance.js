// The finance page: generate a month's claim, follow its progress, download it; versions; lock the month.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const STATUS = { QUEUED: '排队中', RUNNING: '生成中', DONE: '已完成', FAILED: '失败' };
  const POLL_MS = 700;
  let pollTimer = null;
  let canteenNames = {};

  function show(id, visible) {
    $(id).classList.toggle('hidden', !visible);
  }

  function say(text, kind) {
    const el = $('message');
    el.textContent = text || '';
    el.className = 'fin-message' + (kind ? ' ' + kind : '');
  }

  // Last month, in the browser's (Shanghai) calendar: the month finance usually claims.
  function lastMonth() {
    const d = new Date();
    d.setDate(1);
    d.setMonth(d.getMonth() - 1);
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
  }

  function scopeName(claim) {
    return claim.canteenId === null ? '全部食堂' : claim.canteenName || canteenNames[claim.canteenId] || '食堂';
  }

  function selectedCanteen() {
    const v = $('canteen').value;
    return v === '' ? undefined : Number(v);
  }

  async function loadCanteens() {
    try {
      const list = await HC.api('GET', '/api/canteens');
      const select = $('canteen');
      for (const c of list) {
        canteenNames[c.id] = c.name;
        const opt = document.createElement('option');
        opt.value = String(c.id);
        opt.textContent = c.name;
        select.appendChild(opt);
      }
    } catch (e) {
      // Without the list, the sub-district claim still works.
    }
  }

  async function loadClaims() {
    const month = $('month').value;
    if (!month) return;
    const body = $('claims').tBodies[0];
    let claims;
    try {
      claims = await HC.api('GET', '/api/claims?month=' + encodeURIComponent(month));
    } catch (e) {
      say(e.message, 'error');
      return;
    }
    body.textContent = '';
    for (const c of claims) {
      const tr = document.createElement('tr');
      tr.dataset.claimId = String(c.id);
      const t = c.totals || {};
      const cells = [
        c.month,
        scopeName(c),
        '第' + c.version + '版',
        (STATUS[c.status] || c.status) + (c.status === 'RUNNING' ? ' ' + c.progress + '%' : ''),
        t.meals === undefined ? '' : String(t.meals),
        t.subsidyFen === undefined ? '' : HC.yuan(t.subsidyFen),
        t.diners === undefined ? '' : String(t.diners),
        c.finishedAt ? new Date(c.finishedAt).toLocaleString('zh-CN', { hour12: false }) : '',
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 2 || (i >= 4 && i <= 6)) td.className = 'num';
        if (c.status === 'FAILED' && i === 3) td.title = c.error || '';
        tr.appendChild(td);
      });
      const action = document.createElement('td');
      if (c.status === 'DONE') {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = '下载';
        b.className = 'fin-download';
        b.addEventListener('click', () => download(c.id));
        action.appendChild(b);
      }
      tr.appendChild(action);
      body.appendChild(tr);
    }
    show('claims-empty', claims.length === 0);
  }

  function renderJob(claim) {
    show('job', true);
    $('progress').value = claim.progress;
    $('progress-text').textContent = claim.progress + '%';
    $('job-status').textContent =
      scopeName(claim) + ' ' + claim.month + ' 第' + claim.version + '版：' + (STATUS[claim.status] || claim.status);
    $('job').dataset.status = claim.status;
    const btn = $('download');
    btn.dataset.claimId = String(claim.id);
    show('download', claim.status === 'DONE');
    if (claim.status === 'FAILED') say(claim.error || '申报表生成失败，请重新生成', 'error');
    if (claim.status === 'DONE') {
      const t = claim.totals || {};
      say('申报表已生成：补贴 ' + t.meals + ' 人次，合计 ¥' + HC.yuan(t.subsidyFen || 0) + '。', 'ok');
    }
  }

  function follow(id) {
    clearTimeout(pollTimer);
    const tick = async () => {
      try {
        const claim = await HC.api('GET', '/api/claims/' + id);
        renderJob(claim);
        if (claim.status === 'QUEUED' || claim.status === 'RUNNING') {
          pollTimer = setTimeout(tick, POLL_MS);
        } else {
          $('generate').disabled = false;
          loadClaims();
        }
      } catch (e) {
        say(e.message, 'error');
        $('generate').disabled = false;
      }
    };
    tick();
  }

  async function generate(ev) {
    ev.preventDefault();
    say('');
    $('generate').disabled = true;
    try {
      const claim = await HC.api('POST', '/api/claims', { month: $('month').value, canteenId: selectedCanteen() });
      renderJob(claim);
      loadClaims();
      follow(claim.id);
    } catch (e) {
      say(e.message, 'error');
      $('generate').disabled = false;
    }
  }

  // The file needs the bearer token, so it is fetched and handed to the browser as a download.
  async function download(id) {
    say('');
    try {
      const res = await fetch('/api/claims/' + id + '/file', { headers: { Authorization: 'Bearer ' + HC.token() } });
      if (!res.ok) {
        let message = '下载失败（' + res.status + '）';
        try {
          message = (await res.json()).message || message;
        } catch (e) {
          // not JSON
        }
        throw new Error(message);
      }
      const blob = await res.blob();
      const disposition = res.headers.get('Content-Disposition') || '';
      const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
      const plain = /filename="([^"]+)"/i.exec(disposition);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = star ? decodeURIComponent(star[1]) : plain ? plain[1] : 'claim.xlsx';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (e) {
      say(e.message, 'error');
    }
  }

  async function lockMonth() {
    const month = $('month').value;
    const canteenId = selectedCanteen();
    const scope = canteenId === undefined ? '全街道' : canteenNames[canteenId] || '该食堂';
    if (!window.confirm('锁定 ' + month + '（' + scope + '）后，该月不能再录入、补录或作废就餐记录。确定锁定吗？'))
      return;
    try {
      await HC.api(
        'POST',
        '/api/months/' + encodeURIComponent(month) + '/lock',
        canteenId === undefined ? {} : { canteenId },
      );
      say(month + '（' + scope + '）已锁定。', 'ok');
    } catch (e) {
      say(e.message, 'error');
    }
  }

  function enter(user) {
    show('login', false);
    show('main', true);
    $('user-name').textContent = user.username;
    loadCanteens().then(loadClaims);
  }

  $('month').value = lastMonth();
  $('month').addEventListener('change', () => {
    show('job', false);
    say('');
    loadClaims();
  });
  $('claim-form').addEventListener('submit', generate);
  $('download').addEventListener('click', () => download(Number($('download').dataset.claimId)));
  $('lock').addEventListener('click', lockMonth);
  $('logout').addEventListener('click', () => {
    HC.logout();
    location.reload();
  });
  HC.loginForm($('login-form'), $('login-error'), enter);

  const user = HC.currentUser();
  if (HC.token() && user) enter(user);
  else show('login', true);
})();
