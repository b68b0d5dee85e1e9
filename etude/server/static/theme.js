// The theme before the page is drawn (a module script runs too late and would flash the
// wrong colours): the learner's saved choice, else the system's (CSS follows
// prefers-color-scheme when no choice is saved).
(() => {
  const saved = localStorage.getItem("etude-theme");
  if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
})();
