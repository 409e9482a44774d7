from loudi_portal.menu import MenuItem

MENU = [
    MenuItem("工作台", "home", order=0),
    # The clerk's table, the county's review list and the city's list are the same page.
    MenuItem("收入填报", "income:report_list", visible=lambda scope: scope.enters_data, order=10),
    MenuItem(
        "收入审核",
        "income:report_list",
        visible=lambda scope: scope.reviews,
        order=10,
    ),
    MenuItem(
        "村级收入",
        "income:report_list",
        visible=lambda scope: scope.sees_city and not scope.manages_city,
        order=10,
    ),
    MenuItem("填报进度", "income:completeness", visible=lambda scope: scope.has_scope, order=11),
    MenuItem("Excel 导入", "income:upload", visible=lambda scope: scope.enters_data, order=12),
    MenuItem("村(社区)", "villages:village_list", order=90),
]
