// Light / dark: follows prefers-color-scheme until the user picks one with the toggle. The
// effective theme is always written to <html data-theme>, so the CSS has one dark palette.
import { effect, signal } from "@preact/signals";

export type ThemeChoice = "auto" | "light" | "dark";
const STORAGE_KEY = "etcbun.theme";

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === "light" || v === "dark") return v;
  } catch {
    // storage disabled
  }
  return "auto";
}

export const theme = signal<ThemeChoice>(stored());
const systemDark = matchMedia("(prefers-color-scheme: dark)");
const systemPrefersDark = signal(systemDark.matches);
systemDark.addEventListener("change", (e) => {
  systemPrefersDark.value = e.matches;
});

export function cycleTheme(): void {
  const order: ThemeChoice[] = ["auto", "light", "dark"];
  theme.value = order[(order.indexOf(theme.value) + 1) % order.length]!;
  try {
    localStorage.setItem(STORAGE_KEY, theme.value);
  } catch {
    // storage disabled
  }
}

effect(() => {
  const dark = theme.value === "dark" || (theme.value === "auto" && systemPrefersDark.value);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
});
