// One app, one login; each role lands on its page (composables/session.ts homeOf). Pages load on demand, so the
// till's first load carries nothing of the operator's or finance's screens.
import { createRouter, createWebHistory } from 'vue-router';
import type { Role } from '@server/common/enums';

declare module 'vue-router' {
  interface RouteMeta {
    /** Roles the page is for; absent: anyone (the login page, the customer display). */
    roles?: Role[];
    /** Shown to a role that has no business there. */
    title?: string;
    /** The page's entry in the header's menu (components/AppHeader.vue), for the roles above. */
    menu?: string;
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: () => import('./components/HomePage.vue') },
    {
      path: '/till',
      component: () => import('./till/TillPage.vue'),
      meta: { roles: ['CASHIER', 'OPERATOR', 'ADMIN'], title: '收银台', menu: '收银台' },
    },
    { path: '/display', component: () => import('./display/DisplayPage.vue') },
    {
      path: '/operator',
      component: () => import('./meals/OperatorPage.vue'),
      meta: { roles: ['OPERATOR', 'ADMIN'], title: '站点管理', menu: '站点管理' },
    },
    {
      path: '/finance',
      component: () => import('./claims/FinancePage.vue'),
      meta: { roles: ['FINANCE', 'ADMIN'], title: '补贴申报', menu: '补贴申报' },
    },
    {
      path: '/review',
      component: () => import('./claims/ReviewPage.vue'),
      meta: { roles: ['REVIEWER', 'ADMIN'], title: '申报审核', menu: '申报审核' },
    },
    {
      path: '/stats',
      component: () => import('./stats/StatsPage.vue'),
      meta: { roles: ['OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN'], title: '统计分析', menu: '统计分析' },
    },
    {
      path: '/claims/:id(\\d+)/print',
      component: () => import('./claims/ClaimPrintPage.vue'),
      meta: { roles: ['FINANCE', 'REVIEWER', 'ADMIN'], title: '申报表打印' },
    },
    {
      path: '/admin',
      component: () => import('./admin/AdminPage.vue'),
      meta: { roles: ['ADMIN'], title: '系统管理', menu: '系统管理' },
    },
    {
      path: '/district',
      component: () => import('./district/DistrictPage.vue'),
      meta: { roles: ['REVIEWER', 'ADMIN'], title: '辖区', menu: '辖区' },
    },
    // The plain pages' addresses of before, for bookmarks.
    { path: '/till.html', redirect: '/till' },
    { path: '/operator.html', redirect: '/operator' },
    { path: '/finance.html', redirect: '/finance' },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});
