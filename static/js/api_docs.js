// /api/v1/docs: renders the generated OpenAPI document (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  if (!root) return;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function resolve(doc, schema) {
    if (schema && schema.$ref) {
      var name = schema.$ref.split("/").pop();
      return doc.components.schemas[name] || schema;
    }
    return schema;
  }

  function schemaBlock(doc, schema) {
    var pre = el("pre", JSON.stringify(resolve(doc, schema), null, 2), "api-schema");
    return pre;
  }

  function operation(doc, path, method, op) {
    var box = el("details", null, "api-op");
    var head = el("summary");
    head.appendChild(el("strong", method.toUpperCase() + " "));
    head.appendChild(el("code", path));
    head.appendChild(el("span", " — " + (op.summary || op.operationId)));
    box.appendChild(head);
    var who = (op.security && op.security.length) ? "需要令牌" + (op["x-roles"] ? "（" + op["x-roles"].join("、") + "）" : "（任何已登录用户）") : "无需登录";
    box.appendChild(el("p", "权限：" + who));
    if (op.parameters && op.parameters.length) {
      box.appendChild(el("h4", "路径参数"));
      var list = el("ul");
      op.parameters.forEach(function (p) {
        list.appendChild(el("li", p.name + "：" + (p.schema.enum ? p.schema.enum.join(" | ") : p.schema.type)));
      });
      box.appendChild(list);
    }
    if (op.requestBody) {
      box.appendChild(el("h4", "请求体"));
      var content = op.requestBody.content;
      Object.keys(content).forEach(function (type) {
        box.appendChild(el("p", type));
        box.appendChild(schemaBlock(doc, content[type].schema));
      });
    }
    box.appendChild(el("h4", "响应码"));
    var codes = el("ul");
    Object.keys(op.responses).forEach(function (code) {
      var r = op.responses[code];
      var text = r.$ref ? doc.components.responses[r.$ref.split("/").pop()].description : r.description;
      codes.appendChild(el("li", code + "：" + text));
    });
    box.appendChild(codes);
    return box;
  }

  function render(doc) {
    root.textContent = "";
    var groups = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "other";
        (groups[tag] = groups[tag] || []).push([path, method, op]);
      });
    });
    Object.keys(groups).sort().forEach(function (tag) {
      var section = el("section");
      section.appendChild(el("h2", tag + "（" + groups[tag].length + " 个接口）"));
      groups[tag].forEach(function (item) { section.appendChild(operation(doc, item[0], item[1], item[2])); });
      root.appendChild(section);
    });
    var err = el("section");
    err.appendChild(el("h2", "错误响应体"));
    err.appendChild(schemaBlock(doc, doc.components.schemas.Error));
    root.appendChild(err);
  }

  fetch(root.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(render)
    .catch(function (e) { root.textContent = "接口文档加载失败：" + e.message; });
})();
