/** "My account", mounted at /account (PAGES in src/screens.tsx). */
export { AccountPage } from './AccountPage';
