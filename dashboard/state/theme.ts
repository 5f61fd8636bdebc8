// Light / dark: follows prefers-color-scheme until the user picks one with the toggle.
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
  if (theme.value === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme.value;
});
