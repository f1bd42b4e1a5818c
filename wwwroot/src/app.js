// Minimal console: first-run setup, sign-in and the signed-in user's summary. Bilingual (English / 中文).
const T = {
  en: { loading: 'Loading…', setup: 'Create the administrator', username: 'Username', password: 'Password', confirm: 'Repeat password',
        create: 'Create', signin: 'Sign in', welcome: 'Signed in as', quota: 'Quota', logout: 'Sign out', lang: '中文' },
  zh: { loading: '加载中…', setup: '创建管理员账户', username: '用户名', password: '密码', confirm: '确认密码',
        create: '创建', signin: '登录', welcome: '当前用户', quota: '额度', logout: '退出登录', lang: 'English' },
};
let lang = localStorage.getItem('lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');
const t = (k) => T[lang][k] ?? k;
const app = document.getElementById('app');
const api = async (path, opts = {}) => {
  const uid = localStorage.getItem('uid');
  const headers = { 'Content-Type': 'application/json', ...(uid ? { 'New-Api-User': uid } : {}) };
  const res = await fetch(path, { credentials: 'same-origin', ...opts, headers });
  return res.status === 204 || res.headers.get('content-length') === '0' ? {} : res.json();
};
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};
function form(title, fields, submit, onSubmit) {
  const f = el('form', {}, el('h2', {}, title));
  for (const [name, type] of fields) f.append(el('label', {}, t(name), el('input', { name, type, required: '' })));
  const err = el('p', { class: 'error', role: 'alert' });
  f.append(err, el('button', { type: 'submit' }, submit));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(f));
    const r = await onSubmit(data);
    if (r && !r.success) err.textContent = r.message;
  });
  return f;
}
async function render() {
  const status = (await api('/api/status')).data || {};
  // The switch's label changes with the page it labels, in one step.
  document.getElementById('lang').textContent = t('lang');
  document.getElementById('site-name').textContent = status.system_name || 'NewApi';
  app.replaceChildren();
  if (!status.setup) {
    app.append(form(t('setup'), [['username', 'text'], ['password', 'password'], ['confirm', 'password']], t('create'),
      async (d) => { const r = await api('/api/setup', { method: 'POST', body: JSON.stringify({ username: d.username, password: d.password, confirmPassword: d.confirm }) }); if (r.success) render(); return r; }));
    return;
  }
  const self = localStorage.getItem('uid') ? await api('/api/user/self') : {};
  if (!self.success) {
    app.append(form(t('signin'), [['username', 'text'], ['password', 'password']], t('signin'), async (d) => {
      const r = await api('/api/user/login', { method: 'POST', body: JSON.stringify(d) });
      if (r.success && r.data && r.data.id) { localStorage.setItem('uid', String(r.data.id)); render(); }
      return r;
    }));
    return;
  }
  const out = el('button', { type: 'button' }, t('logout'));
  out.addEventListener('click', async () => { await api('/api/user/logout'); localStorage.removeItem('uid'); render(); });
  app.append(el('div', { class: 'card' }, el('p', {}, `${t('welcome')}: `, el('strong', { id: 'whoami' }, self.data.username)),
    el('p', {}, `${t('quota')}: ${self.data.quota}`), out));
}
document.getElementById('lang').addEventListener('click', () => { lang = lang === 'en' ? 'zh' : 'en'; localStorage.setItem('lang', lang); render(); });
render();
