import type { ReactNode } from 'react';
import { Layout as RaLayout } from 'react-admin';
import { AppBar } from './AppBar';
import { Menu } from './Menu';

/** react-admin's layout with our bar and role-aware menu. `screens`: the routes App.tsx registers. */
export function makeLayout(screens: readonly string[]) {
  const BoundMenu = () => <Menu available={screens} />;
  return function Layout({ children }: { children: ReactNode }) {
    return (
      <RaLayout appBar={AppBar} menu={BoundMenu}>
        {children}
      </RaLayout>
    );
  };
}
