// Small inline SVG icons (16px grid, stroked with currentColor).
import type { JSX } from "preact";

type P = { class?: string; size?: number };

function Svg({ size = 16, class: cls, children }: P & { children: JSX.Element | JSX.Element[] }) {
  return (
    <svg
      class={cls ? `icon ${cls}` : "icon"}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export const Logo = ({ size = 22 }: P) => (
  <svg class="logo" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true">
    <rect x="1" y="1" width="22" height="22" rx="6" class="logo-bg" />
    <path d="M6 13.5h12M7.5 13.5v-3h3v3M10.5 13.5v-3h3v3M13.5 13.5v-3h3v3M9 10.5v-3h3v3" class="logo-fg" />
    <path d="M5.5 15.5c1.5 2 3.8 3 6.5 3s5-1 6.5-3" class="logo-fg" />
  </svg>
);

export const IconPlus = (p: P) => (
  <Svg {...p}>
    <path d="M8 3v10M3 8h10" />
  </Svg>
);
export const IconTrash = (p: P) => (
  <Svg {...p}>
    <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5M6.8 7v4M9.2 7v4" />
  </Svg>
);
export const IconX = (p: P) => (
  <Svg {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Svg>
);
export const IconSearch = (p: P) => (
  <Svg {...p}>
    <circle cx="7" cy="7" r="4.25" />
    <path d="M10.2 10.2L13.5 13.5" />
  </Svg>
);
export const IconAlert = (p: P) => (
  <Svg {...p}>
    <path d="M8 1.8l6.5 11.7H1.5z" />
    <path d="M8 6.3v3.2M8 11.6v.1" />
  </Svg>
);
export const IconUser = (p: P) => (
  <Svg {...p}>
    <circle cx="8" cy="5.5" r="2.75" />
    <path d="M2.75 14c.6-2.7 2.7-4.25 5.25-4.25S12.65 11.3 13.25 14" />
  </Svg>
);
export const IconSwitch = (p: P) => (
  <Svg {...p}>
    <path d="M2.5 5.5h10l-2.5-2.5M13.5 10.5h-10l2.5 2.5" />
  </Svg>
);
export const IconLogout = (p: P) => (
  <Svg {...p}>
    <path d="M6.5 2.5h-3v11h3M10.5 5l3 3-3 3M13.5 8h-7" />
  </Svg>
);
export const IconLogin = (p: P) => (
  <Svg {...p}>
    <path d="M9.5 2.5h3v11h-3M5.5 5l3 3-3 3M8.5 8h-7" />
  </Svg>
);
export const IconServer = (p: P) => (
  <Svg {...p}>
    <rect x="2.25" y="2.5" width="11.5" height="4.5" rx="1.25" />
    <rect x="2.25" y="9" width="11.5" height="4.5" rx="1.25" />
    <path d="M5 4.75h.01M5 11.25h.01" />
  </Svg>
);
export const IconClock = (p: P) => (
  <Svg {...p}>
    <circle cx="8" cy="8" r="5.75" />
    <path d="M8 4.75V8l2.25 1.5" />
  </Svg>
);
export const IconSettings = (p: P) => (
  <Svg {...p}>
    <path d="M2.5 4.5h6M11.5 4.5h2M2.5 11.5h2M7.5 11.5h6" />
    <circle cx="10" cy="4.5" r="1.5" />
    <circle cx="6" cy="11.5" r="1.5" />
  </Svg>
);
export const IconKey = (p: P) => (
  <Svg {...p}>
    <circle cx="5.5" cy="10.5" r="3" />
    <path d="M7.6 8.4L13.5 2.5M11.5 4.5l1.5 1.5M10 6l1.25 1.25" />
  </Svg>
);
export const IconCheck = (p: P) => (
  <Svg {...p}>
    <path d="M3.5 8.5l3 3 6-7" />
  </Svg>
);
export const IconActivity = (p: P) => (
  <Svg {...p}>
    <path d="M1.5 8h3l2-5 3 10 2-5h3" />
  </Svg>
);
export const IconCopy = (p: P) => (
  <Svg {...p}>
    <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
    <path d="M10.5 5.5V4A1.5 1.5 0 0 0 9 2.5H4A1.5 1.5 0 0 0 2.5 4v5A1.5 1.5 0 0 0 4 10.5h1.5" />
  </Svg>
);
export const IconRefresh = (p: P) => (
  <Svg {...p}>
    <path d="M13.25 8a5.25 5.25 0 1 1-1.54-3.71M13.25 2.5v3.25H10" />
  </Svg>
);
export const IconChevron = (p: P) => (
  <Svg {...p}>
    <path d="M6 3.5L10.5 8 6 12.5" />
  </Svg>
);
export const IconBox = (p: P) => (
  <Svg {...p}>
    <path d="M8 1.75l5.5 3v6.5L8 14.25l-5.5-3v-6.5z" />
    <path d="M2.5 4.75L8 7.75l5.5-3M8 7.75v6.5" />
  </Svg>
);
