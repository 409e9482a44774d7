from loudi_portal.menu import MenuItem

MENU = [
    MenuItem("工作台", "home", order=0),
    MenuItem("村(社区)", "villages:village_list", order=90),
]
