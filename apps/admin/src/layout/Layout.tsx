import { type ReactNode, useEffect } from 'react';
import { Layout as RaLayout, useLocaleState } from 'react-admin';
import { AppBar } from './AppBar';
import { Menu } from './Menu';

/** react-admin's layout with our bar and role-aware menu. `screens`: the routes App.tsx registers. */
export function makeLayout(screens: readonly string[]) {
  const BoundMenu = () => <Menu available={screens} />;
  return function Layout({ children }: { children: ReactNode }) {
    const [locale] = useLocaleState();
    // Screen readers and the browser's own widgets (date pickers) follow the page language.
    useEffect(() => {
      document.documentElement.lang = locale;
    }, [locale]);
    return (
      <RaLayout
        appBar={AppBar}
        menu={BoundMenu}
        // Let wide tables scroll inside their card rather than push the page wider than a tablet.
        sx={{
          minWidth: 0,
          '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar, & .RaLayout-content': { minWidth: 0 },
        }}
      >
        {children}
      </RaLayout>
    );
  };
}
