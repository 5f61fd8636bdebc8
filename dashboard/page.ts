// The dashboard's HTML shell. Assets are same-origin and absolute, so the page works from any
// member without a CDN.
export const DASHBOARD_PATH = "/dashboard";

export function dashboardHtml(assetVersion: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>etcbun dashboard</title>
<link rel="stylesheet" href="${DASHBOARD_PATH}/app.css?v=${assetVersion}">
<script type="module" src="${DASHBOARD_PATH}/app.js?v=${assetVersion}"></script>
</head>
<body>
<div id="app"><noscript>The etcbun dashboard needs JavaScript. The v2 API is at /v2/keys.</noscript></div>
</body>
</html>
`;
}
