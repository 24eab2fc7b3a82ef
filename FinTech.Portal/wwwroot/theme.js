// Switches and remembers the dark or light choice for this browser (MainLayout calls it when the person
// switches). The server reads the cookie when it renders the next page, so it starts in the
// chosen theme. A preference, not a secret: readable by script on purpose.
window.portalTheme = {
  remember(dark) {
    // The theme's variables and the chart palette follow this class (App.razor renders it first).
    document.documentElement.classList.toggle('portal-dark', dark);
    document.documentElement.classList.toggle('portal-light', !dark);
    const secure = location.protocol === 'https:' ? '; secure' : '';
    document.cookie = `portal-theme=${dark ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax${secure}`;
  },
};
