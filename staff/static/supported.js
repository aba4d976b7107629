// Runs first thing in <body>: GOV.UK Frontend's components style and start themselves only when the body says
// JavaScript runs and ES modules are supported (its own template does this with an inline script; this console
// keeps scripts in files so a Content-Security-Policy never needs 'unsafe-inline').
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
