import type { SVGProps } from 'react';

/** Stroke icons on a 24-pixel grid, drawn here so nothing is fetched from elsewhere. */
const PATHS = {
  overview: 'M4 13h6V4H4zM14 20h6v-9h-6zM14 4v4h6V4zM4 20h6v-3H4z',
  sources:
    'M12 12m-2 0a2 2 0 1 0 4 0a2 2 0 1 0-4 0M16.2 7.8a6 6 0 0 1 0 8.4M7.8 16.2a6 6 0 0 1 0-8.4M19.1 4.9a10 10 0 0 1 0 14.2M4.9 19.1a10 10 0 0 1 0-14.2',
  triggers: 'M13 2 4 14h7l-1 8 9-12h-7z',
  runs: 'M5 4v16l14-8z',
  keys: 'M15 7a3 3 0 1 1-3 3M15 7a3 3 0 0 0-3 3M12 10 3 19v2h3v-2h2v-2h2l2-2',
  secrets: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
  plus: 'M12 5v14M5 12h14',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  check: 'M5 12l5 5L20 7',
  close: 'M6 6l12 12M18 6 6 18',
  chevronRight: 'M9 6l6 6-6 6',
  chevronLeft: 'M15 6l-6 6 6 6',
  external: 'M14 4h6v6M20 4l-9 9M18 14v6H4V6h6',
  menu: 'M4 6h16M4 12h16M4 18h16',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M5 7h14M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  alert:
    'M12 9v4M12 17h.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  send: 'M4 12 20 4l-6 16-3-7z',
  flask: 'M9 3h6M10 3v6L4 19a1.5 1.5 0 0 0 1.3 2h13.4A1.5 1.5 0 0 0 20 19L14 9V3M7 15h10',
  history: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 3',
  search: 'M11 11m-7 0a7 7 0 1 0 14 0a7 7 0 1 0-14 0M21 21l-5-5',
  pulse: 'M3 12h4l3-8 4 16 3-8h4',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
  code: 'M8 8l-5 4 5 4M16 8l5 4-5 4',
  inbox: 'M3 13h5l1.5 3h5L16 13h5M5.5 5h13L21 13v6H3v-6z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({
  name,
  size = 16,
  ...rest
}: { name: IconName; size?: number } & SVGProps<SVGSVGElement>) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

/** The Flint mark: a flame on a dark tile. */
export function FlintMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#1e293b" />
      <path
        d="M17.6 4.5c.7 4.1-1.3 6.5-3.4 8.6-2 2.1-3.9 4.1-3.9 7.6 0 3.9 2.9 6.8 6.4 6.8 3.8 0 6.8-3 6.8-7.1 0-2.6-1.1-4.6-2.4-6.1.1 1.9-.6 3.4-1.9 4.1.4-3.8-.5-9.8-1.6-13.9z"
        fill="#f97316"
      />
      <path
        d="M16.6 27.5c-1.9 0-3.3-1.6-3.3-3.6 0-2.2 1.6-3.4 3-5 .3 1.7 1.1 2.6 2.1 3.3.9.6 1.5 1.5 1.5 2.6 0 1.5-1.4 2.7-3.3 2.7z"
        fill="#fde68a"
      />
    </svg>
  );
}
