// Starts GraphiQL with the Explorer plugin. Adapted from graphene-django 3.2.3's
// static/graphene_django/graphiql.js (MIT, Syrus Akbary): the same editor, URL sharing and settings
// (read from the editor's data- attributes), without the graphql-ws client (this API has no subscriptions).
(function (document, editor, GraphiQL, React, ReactDOM, GraphiQLPluginExplorer, history, location) {
  "use strict";

  // Query, variables and operation name live in the URL fragment so a link reopens them.
  var parameters = {};
  location.hash
    .substr(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
      }
    });

  function locationQuery(params) {
    return (
      "#" +
      Object.keys(params)
        .map(function (key) {
          return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
        })
        .join("&")
    );
  }

  function updateURL() {
    history.replaceState(null, null, locationQuery(parameters));
  }

  var fetcher = GraphiQL.createFetcher({ url: location.pathname });

  function GraphiQLWithExplorer() {
    var state = React.useState(parameters.query);
    var query = state[0];
    var setQuery = state[1];

    function onEditQuery(newQuery) {
      setQuery(newQuery);
      parameters.query = newQuery;
      updateURL();
    }

    var explorerPlugin = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: onEditQuery });
    var options = {
      fetcher: fetcher,
      plugins: [explorerPlugin],
      defaultEditorToolsVisibility: true,
      onEditQuery: onEditQuery,
      onEditVariables: function (variables) {
        parameters.variables = variables;
        updateURL();
      },
      onEditOperationName: function (operationName) {
        parameters.operationName = operationName;
        updateURL();
      },
      isHeadersEditorEnabled: editor.dataset.headerEditorEnabled === "true",
      shouldPersistHeaders: editor.dataset.shouldPersistHeaders === "true",
      inputValueDeprecation: editor.dataset.inputValueDeprecation === "true",
      query: query,
    };
    if (parameters.variables) {
      options.variables = parameters.variables;
    }
    if (parameters.operationName) {
      options.operationName = parameters.operationName;
    }
    return React.createElement(GraphiQL, options);
  }

  ReactDOM.render(React.createElement(GraphiQLWithExplorer), editor);
})(
  document,
  document.getElementById("editor"),
  window.GraphiQL,
  window.React,
  window.ReactDOM,
  window.GraphiQLPluginExplorer,
  window.history,
  window.location,
);
